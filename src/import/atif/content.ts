import { describeValue, ImportError, isArray, isObject } from '../errors.js';

/** A media part an ATIF document holds (v1.6 images, v1.8 audio): where it is and its source; forager keeps the text and lists these. */
export interface MediaRecord {
  step: number;
  field: string;
  media_type?: string;
  path?: string;
  /** Audio only (v1.8), when the source gave it. */
  duration_sec?: number;
}

/** The media parts of one document, by kind, as they are met. */
export interface MediaFound {
  images: MediaRecord[];
  audio: MediaRecord[];
}

/**
 * A message or result's text: a string, or the text parts of a content-part list joined as
 * they are (v1.6 `text`/`image`, v1.8 `audio`). Media parts are recorded, not dropped; a part
 * of another type is an error naming it (Harbor's models accept no other), never skipped.
 * `at` is the step's field path (`steps.3`, `subagent_trajectories.0.steps.3`) and `field` the
 * content's within it, for errors; the record names the step by its index.
 */
export function contentText(content: unknown, media: MediaFound, where: string, at: string, step: number, field: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!isArray(content)) throw new ImportError(`${where}: field "${at}.${field}": expected a string or a list of content parts, found ${describeValue(content)}`);
  let text = '';
  content.forEach((part, k) => {
    const partAt = `${at}.${field}.${k}`;
    if (!isObject(part)) throw new ImportError(`${where}: field "${partAt}": expected a content part {type, text|source}, found ${describeValue(part)}`);
    const type = part['type'];
    if (type === 'text') {
      if (typeof part['text'] !== 'string') throw new ImportError(`${where}: field "${partAt}.text": expected a string, found ${describeValue(part['text'])}`);
      text += part['text'];
    } else if (type === 'image' || type === 'audio') {
      const source = part['source'];
      if (!isObject(source)) throw new ImportError(`${where}: field "${partAt}.source": expected {media_type, path}, found ${describeValue(source)}`);
      const record: MediaRecord = {
        step, field,
        ...(typeof source['media_type'] === 'string' ? { media_type: source['media_type'] } : {}),
        ...(typeof source['path'] === 'string' ? { path: source['path'] } : {}),
        ...(type === 'audio' && typeof source['duration_sec'] === 'number' ? { duration_sec: source['duration_sec'] } : {}),
      };
      (type === 'image' ? media.images : media.audio).push(record);
    } else {
      throw new ImportError(`${where}: field "${partAt}.type": expected "text", "image" or "audio", found ${describeValue(type)}`);
    }
  });
  return text;
}
