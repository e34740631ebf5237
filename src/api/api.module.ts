import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FlowsController } from './flows.controller';
import { HttpExceptionFilter } from './http-exception.filter';

@Module({ controllers: [FlowsController], providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }] })
export class ApiModule {}
