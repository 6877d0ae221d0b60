import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { problem } from './problem';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Bodies and queries are validated against their DTO classes; unknown fields are refused, not ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      const detail = fieldErrors.map((e) => e.message).join('; ');
      return new BadRequestException(problem(400, detail || 'The request is not valid.', { rule: 'validation', errors: fieldErrors }));
    },
  });
}
