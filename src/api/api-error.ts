import { BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblem {
  @ApiProperty({ example: 'limit' }) field!: string;
  @ApiProperty({ example: ['limit must not be greater than 1000'] }) problems!: string[];
}

/** The one error body every endpoint returns. */
export class ApiErrorBody {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'limit: limit must not be greater than 1000' }) message!: string;
  @ApiPropertyOptional({ type: [FieldProblem] }) details?: FieldProblem[];
  @ApiProperty({ example: '/api/v1/flows' }) path!: string;
  @ApiProperty({ example: '2026-11-26T07:00:00.000Z' }) timestamp!: string;
}

/** A 400 in the one error shape, naming the field the caller has to fix. */
export function fieldError(field: string, problem: string, message = `${field}: ${problem}`): BadRequestException {
  return new BadRequestException({ message, details: [{ field, problems: [problem] }] });
}
