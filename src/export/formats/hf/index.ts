export { openHfSink, HF_CONFIGS, type HfSink, type HfTableOutput, type HfOptions, type HfConfig } from './sink.js';
export { writeDatasetCard, type CardFacts } from './card.js';
export type { Field } from './fields.js';
export { hfFormat } from './format.js';
