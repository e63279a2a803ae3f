// `augur simulate`: realistic synthetic traffic through the real ingest API, with ground truth.
export { runSimulation, summaryLines, type SimulationOptions, type SimulationSummary } from './run.js';
export { parseSimulateArgs, SIMULATE_USAGE, type ParsedSimulateArgs } from './options.js';
export { simulateVisitor, type SimParams, type SimSession, type SimVisitor, type TruthRecord } from './visitor.js';
export { INTENTS, type Intent } from './model.js';
