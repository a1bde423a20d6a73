export { formatGithub, formatGithubLine, escapeData, escapeProperty } from './github.js';
export { formatJson } from './json.js';
export { formatText, paint, printable, type TextOptions } from './text.js';
