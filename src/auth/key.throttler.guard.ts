import { createHash } from 'node:crypto';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { PUBLIC_KEY } from './auth.decorators';

/**
 * Rate limit per API key (by a hash of the bearer secret, so it holds before and regardless of
 * authentication), per client address without one. Public routes (probes, docs) are not limited.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const header = (req.headers as Record<string, string | undefined>).authorization;
    if (header) return `key:${createHash('sha256').update(header).digest('hex').slice(0, 32)}`;
    return `ip:${String(req.ip)}`;
  }

  protected override async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]) === true;
  }
}
