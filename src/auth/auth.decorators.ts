import { createParamDecorator, CustomDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { CallerIdentity, Role } from './caller';

export const ROLE_KEY = 'flowscope:role';
export const PUBLIC_KEY = 'flowscope:public';
export const ALL_NAMESPACES_KEY = 'flowscope:all-namespaces';

/** The least role a route needs (roles include the ones below them). A route without it needs viewer. */
export const Roles = (role: Role): CustomDecorator<string> => SetMetadata(ROLE_KEY, role);

/** No key needed (health probes, docs, the console's static files). */
export const Public = (): CustomDecorator<string> => SetMetadata(PUBLIC_KEY, true);

/** Only keys without a namespace limit (whole-cluster data such as metrics, key management). */
export const AllNamespaces = (): CustomDecorator<string> => SetMetadata(ALL_NAMESPACES_KEY, true);

/** The request's caller as the auth guard established it. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): CallerIdentity => {
  const caller = ctx.switchToHttp().getRequest<{ caller?: CallerIdentity }>().caller;
  if (!caller) throw new Error('@Caller() used on a route the auth guard did not run for');
  return caller;
});
