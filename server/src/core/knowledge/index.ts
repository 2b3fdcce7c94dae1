export * from './workflow.js';
export * from './sanitize.js';
export * from './diff.js';
export * from './week.js';
export * from './extract.js';
