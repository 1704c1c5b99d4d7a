import { MODEL_ENDPOINTS } from './registry.js';
import type { ModelEndpoint } from './types.js';

/** An endpoint kind's name, derived from the registry. */
export type EndpointName = keyof typeof MODEL_ENDPOINTS;

/** The registered names, the default first (for zod enums and CLI choices). */
export const ENDPOINT_NAMES = Object.keys(MODEL_ENDPOINTS) as [EndpointName, ...EndpointName[]];

export function isEndpointName(name: unknown): name is EndpointName {
  return typeof name === 'string' && Object.hasOwn(MODEL_ENDPOINTS, name);
}

/** The endpoint kind named `name`. */
export function getEndpoint(name: EndpointName): ModelEndpoint {
  return MODEL_ENDPOINTS[name];
}

/** `openai (chat completions) | anthropic (Messages API)`: the kinds with what each speaks, for help texts. */
export function describeEndpoints(): string {
  return ENDPOINT_NAMES.map((name) => `${name} (${MODEL_ENDPOINTS[name].description})`).join(' | ');
}

export type { EndpointSettings, ModelEndpoint, SamplingProblem } from './types.js';
