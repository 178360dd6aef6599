/**
 * Random hex ids that command lines pass on as strings. `midclt call m <arg>` (vsnapd's and
 * TrueNAS's) reads each argument as JSON when it parses and as a string otherwise, so an id such as
 * `44916571` or `12e45678` would arrive as a number and be refused ("Input should be a valid
 * string"). Ids that would parse as a JSON number are drawn again (about 2 % of 8-digit ids).
 */
import { randomBytes } from 'node:crypto';

/** JSON's number syntax (RFC 8259 §6); hex digits can only form the unsigned forms. */
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * `2 × bytes` lower-case hex digits that are not a JSON number.
 * @param source random bytes (injectable for tests; default node:crypto's randomBytes)
 */
export function randomHexId(bytes: number, source: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = source(bytes).toString('hex');
    if (!JSON_NUMBER.test(id)) return id;
  }
}
