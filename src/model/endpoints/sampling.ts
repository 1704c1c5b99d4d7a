import type { EndpointSettings } from './types.js';

/** The sampling fields a request will carry, from the spec's own fields or from `extra_body`, with their paths in the spec. */
export function sentSampling(settings: EndpointSettings, fields: readonly string[]): Array<{ field: string; name: string; value: unknown }> {
  const sent: Array<{ field: string; name: string; value: unknown }> = [];
  const own: Record<string, unknown> = { temperature: settings.temperature, top_p: settings.top_p };
  for (const name of fields) {
    const extra = settings.extra_body?.[name];
    // extra_body wins over the spec's field (it is merged over the body), and `null` removes it.
    if (settings.extra_body && name in settings.extra_body) {
      if (extra !== null) sent.push({ field: `extra_body.${name}`, name, value: extra });
    } else if (own[name] !== undefined) sent.push({ field: name, name, value: own[name] });
  }
  return sent;
}
