/**
 * Jest snapshot serializer: masks volatile values (see mask-volatile.ts), so a snapshot diff
 * always means a real change of the synthesized output.
 */
import type { Plugin } from 'pretty-format';
import { isVolatile, maskVolatile } from './mask-volatile';

const serializer: Plugin = {
  test: (value: unknown) => typeof value === 'string' && isVolatile(value),
  serialize: (value: string, config, indentation, depth, refs, printer) =>
    printer(maskVolatile(value), config, indentation, depth, refs),
};

export = serializer;
