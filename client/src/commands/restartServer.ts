import type { CommandFactory } from '../context';

export const restartServer: CommandFactory = (ctx) => () => ctx.restart();

export const showOutput: CommandFactory = (ctx) => () => ctx.output.show(true);
