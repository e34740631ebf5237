import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiKeyService } from './api-key.service';
import { ALL_NAMESPACES_KEY, PUBLIC_KEY, ROLE_KEY } from './auth.decorators';
import { AUTH_OFF_CALLER, CallerIdentity, hasRole, Role } from './caller';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The one access check for every route: a valid key (401 otherwise), the route's role and, for
 * whole-cluster routes, no namespace limit (403 otherwise). Namespace scope itself is applied by
 * the repositories, from the caller this guard puts on the request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & { caller?: CallerIdentity }>();
    const caller = this.config.auth.enabled ? await this.identify(req, ctx.switchToHttp().getResponse<Response>()) : AUTH_OFF_CALLER;
    const role = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'viewer';
    if (!hasRole(caller, role)) {
      throw new ForbiddenException(`this needs the ${role} role; the API key has ${caller.role}`);
    }
    if (caller.namespaces !== null && this.reflector.getAllAndOverride<boolean>(ALL_NAMESPACES_KEY, targets)) {
      throw new ForbiddenException('this needs an API key without a namespace limit');
    }
    req.caller = caller;
    return true;
  }

  private async identify(req: Request, res: Response): Promise<CallerIdentity> {
    const header = req.headers.authorization;
    const secret = header ? BEARER.exec(header)?.[1] : undefined;
    const caller = secret ? await this.keys.authenticate(secret) : undefined;
    if (!caller) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="flowscope"');
      throw new UnauthorizedException(header ? 'the API key is not valid (unknown or revoked)' : 'send an API key: Authorization: Bearer <key>');
    }
    return caller;
  }
}
