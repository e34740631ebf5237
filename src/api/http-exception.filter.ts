import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '../clock/clock';
import { ApiErrorBody, FieldProblem } from './api-error';
import { bodyParserError } from './request-body';

function statusText(status: number): string {
  return HttpStatus[status]?.toString().replace(/_/g, ' ').toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase()) ?? 'Error';
}

/**
 * Turns every error into ApiErrorBody, always with `details` naming what to fix (the request path
 * for an unknown route). Unexpected errors are logged and answered as a bare 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  constructor(private readonly clock: Clock) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'internal error';
    let details: FieldProblem[] | undefined;
    const parserError = bodyParserError(exception);
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'string') {
        message = body;
      } else {
        const b = body as { message?: string | string[]; details?: FieldProblem[] };
        message = Array.isArray(b.message) ? b.message.join('; ') : (b.message ?? exception.message);
        details = b.details;
      }
      // Nest's own 404 for an unknown route: name the path, as every error names what to fix.
      details ??= [{ field: status === HttpStatus.NOT_FOUND ? 'path' : status === HttpStatus.SERVICE_UNAVAILABLE ? 'service' : 'request', problems: [message] }];
    } else if (parserError) {
      ({ status, message, details } = parserError);
    } else {
      this.logger.error(`${req.method} ${req.originalUrl}: ${exception instanceof Error ? exception.stack : String(exception)}`);
    }
    const payload: ApiErrorBody = {
      statusCode: status,
      error: statusText(status),
      message,
      ...(details ? { details } : {}),
      path: req.originalUrl,
      timestamp: this.clock.now().toISOString(),
    };
    if (!res.headersSent) res.status(status).json(payload);
    else res.end();
  }
}
