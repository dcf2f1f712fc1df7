export { runCli, buildProgram } from './main';
export { ExitCode, CliExit } from './exit-codes';
export { createProgress, type Progress } from './progress';
