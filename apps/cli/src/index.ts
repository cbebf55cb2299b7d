export { main, createProgram } from './program.js';
export { processIo, createContext, type CliIo, type CommandContext } from './cli-io.js';
export { parseTimeArgument, parseInteger } from './time-arguments.js';
export { importJsonl, importedLineId, type ImportOptions, type ImportSummary, type LineIssue } from './jsonl-import.js';
export { readJsonlLines, type JsonlLine } from './jsonl-reader.js';
