/** A manifest set was rejected whole; each problem names the resource and the field path. */
export class InventoryRejectedError extends Error {
  constructor(readonly problems: Array<{ resource: string; path: string; message: string }>) {
    super(problems.map((p) => `${p.resource}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('; '));
    this.name = 'InventoryRejectedError';
  }
}

export class InventoryNotFoundError extends Error {
  constructor(kind: string, namespace: string, name: string) {
    super(`no live ${kind} ${namespace ? `${namespace}/` : ''}${name} in the inventory`);
    this.name = 'InventoryNotFoundError';
  }
}
