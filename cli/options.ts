/** Parsers for commander options: each rejects bad input with a message that says what is allowed. */
import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a TCP port: use a whole number from 0 to 65535.`);
  }
  return port;
}
