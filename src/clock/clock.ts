import { Injectable } from '@nestjs/common';

/** The one place that reads wall-clock time, so tests can pin it. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
