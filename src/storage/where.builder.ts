/** Collects WHERE conditions with their bound parameters; a condition whose value is undefined is skipped. */
export class WhereBuilder {
  private readonly parts: string[] = [];
  readonly params: Record<string, unknown> = {};

  /** `sql` references the parameter as {name:Type}. */
  add(sql: string, name: string, value: unknown): this {
    if (value === undefined) return this;
    this.parts.push(sql);
    this.params[name] = value;
    return this;
  }

  /** A condition with several parameters (all given). */
  addAll(sql: string, params: Record<string, unknown>): this {
    this.parts.push(sql);
    Object.assign(this.params, params);
    return this;
  }

  /**
   * An API key's namespace scope: rows involving one of these namespaces on either side.
   * null (all namespaces) adds nothing. `prefix` names the columns (`src_namespace` / `dst_namespace`).
   */
  scope(namespaces: readonly string[] | null, src = 'src_namespace', dst = 'dst_namespace'): this {
    if (namespaces === null) return this;
    return this.addAll(`(${src} IN {scopeNamespaces:Array(String)} OR ${dst} IN {scopeNamespaces:Array(String)})`, { scopeNamespaces: namespaces });
  }

  get sql(): string {
    return this.parts.length ? this.parts.join(' AND ') : '1';
  }
}
