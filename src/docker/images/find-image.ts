import type Docker from 'dockerode';
import { engine } from '../engine.js';
import { flavourOf } from '../flavour.js';
import { inspectImage } from './engine-images.js';

export interface FoundImage {
  /** The image ID (sha256:…). */
  id: string;
  tags: string[];
}

/** The image a tag or an ID names on the engine now, or null; tags as forager names them (without a registry the engine added). */
export async function findImage(refOrId: string, docker: Docker = engine()): Promise<FoundImage | null> {
  const info = await inspectImage(docker, refOrId);
  return info ? { id: info.Id, tags: (info.RepoTags ?? []).map(flavourOf(docker).familiarTag) } : null;
}
