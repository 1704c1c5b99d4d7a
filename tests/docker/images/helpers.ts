import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';

export const docker = new Docker();

/** A repository no other test or engineer uses: every image a test builds goes here. */
export const TEST_REPOSITORY = `forager-test-images-${process.pid}-${Date.now().toString(36)}`;

/** Remove every tag of TEST_REPOSITORY (and so the images only those tags held). */
export async function removeTestImages(): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [TEST_REPOSITORY] } });
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`${TEST_REPOSITORY}:`)) await docker.getImage(tag).remove().catch(() => undefined);
    }
  }
}

/** A fresh folder holding `files` (path → content). */
export async function writeTree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forager-images-test-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Run `cmd` in a throwaway container of `image` (labelled forager.run, always removed); its output. */
export async function runInImage(image: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Labels: { 'forager.run': `test-images-${process.pid}` }, HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: true })) as Buffer;
    return { exitCode: StatusCode, output: demux(logs) };
  } finally {
    await container.remove({ force: true });
  }
}

/** The payload of a multiplexed (non-TTY) log buffer: 8-byte frame headers stripped. */
function demux(buffer: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= buffer.length;) {
    const size = buffer.readUInt32BE(at + 4);
    parts.push(buffer.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
