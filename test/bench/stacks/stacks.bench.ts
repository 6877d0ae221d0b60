import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { keptRendering, LocalBlobStore, measureFrames, PREVIEW_SIZE, stackDecider } from '@cairn/projects-service';
import { percentile, timed } from '../latencies';

/**
 * Making an image stack and its first frame preview, against sharp's own time for the same work:
 * (a) making a stack of FRAMES frames of 1024×1024 16-bit grey (one PNG each): Cairn reads each file from
 *     its blob store, measures it with sharp (every page, from the header) and decides the stack; sharp alone
 *     reads the same files' metadata from their paths;
 * (b) the first preview of a frame: Cairn looks for the kept preview, reads the source from the blob store,
 *     renders it (8-bit, contrast stretched, PNG) and keeps it; sharp alone renders the same from the path.
 * Both in process, the HTTP and event store around them left out: the projects service's own benchmark
 * measures those. Prints ours/sharp ratios of the medians (making: of ROUNDS rounds; preview: of PREVIEWS frames).
 */

const FRAMES = Number(process.env.BENCH_STACK_FRAMES ?? 500);
const SIDE = 1024;
const ROUNDS = Number(process.env.BENCH_STACK_ROUNDS ?? 3);
const PREVIEWS = Number(process.env.BENCH_STACK_PREVIEWS ?? 10);

/** A 16-bit grey frame: a diagonal ramp offset by the frame's number, so frames differ. */
function framePng(index: number): Promise<Buffer> {
  const pixels = Uint16Array.from({ length: SIDE * SIDE }, (_, i) => ((i % SIDE) * 40 + Math.floor(i / SIDE) * 20 + index * 7) % 65536);
  return sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 1 } }).toColourspace('grey16').png({ compressionLevel: 1 }).toBuffer();
}

export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-stacks-'));
  try {
    const blobs = new LocalBlobStore(root);
    const images = Array.from({ length: FRAMES }, (_, index) => ({ fileId: `f-${index}`, key: `bench/f-${index}` }));
    for (const [index, image] of images.entries()) await blobs.put(image.key, Readable.from([await framePng(index)]));
    const pathOf = (key: string) => join(root, 'blobs', key);
    console.log(`${FRAMES} frames of ${SIDE}×${SIDE} 16-bit grey written as PNG`);

    const ours: number[] = [];
    const sharps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await timed(sharps, () => Promise.all(images.map((image) => sharp(pathOf(image.key)).metadata())));
      await timed(ours, async () => {
        const frames = await measureFrames(blobs, images);
        return stackDecider.decide(
          { type: 'CreateStack', stackId: `s-${round}`, experimentId: 'e', name: 'Bench', frames, actor: 'u', actorCapabilities: ['stacks.write'] },
          stackDecider.initialState(),
        );
      });
    }
    const making = percentile(ours, 50) / percentile(sharps, 50);
    console.log(`making a stack of ${FRAMES} frames: ours p50 ${percentile(ours, 50).toFixed(0)} ms, sharp's metadata alone p50 ${percentile(sharps, 50).toFixed(0)} ms (${ROUNDS} rounds); ours/sharp ${making.toFixed(2)}`);

    const oursPreview: number[] = [];
    const sharpPreview: number[] = [];
    for (let index = 0; index < Math.min(PREVIEWS, FRAMES); index++) {
      const { key } = images[index];
      await timed(sharpPreview, () =>
        sharp(pathOf(key)).resize({ width: PREVIEW_SIZE, height: PREVIEW_SIZE, fit: 'inside', withoutEnlargement: true }).normalise().toColourspace('srgb').png().toBuffer(),
      );
      await timed(oursPreview, () => keptRendering(blobs, `stacks/bench/frame-${index}`, async () => key, 0, PREVIEW_SIZE));
    }
    const keptAgain: number[] = [];
    for (let index = 0; index < Math.min(PREVIEWS, FRAMES); index++) await timed(keptAgain, () => keptRendering(blobs, `stacks/bench/frame-${index}`, async () => images[index].key, 0, PREVIEW_SIZE));
    const preview = percentile(oursPreview, 50) / percentile(sharpPreview, 50);
    console.log(
      `first preview of a frame: ours p50 ${percentile(oursPreview, 50).toFixed(1)} ms, sharp alone p50 ${percentile(sharpPreview, 50).toFixed(1)} ms (${oursPreview.length} frames); ours/sharp ${preview.toFixed(2)}; ` +
        `asked again (kept): p50 ${percentile(keptAgain, 50).toFixed(1)} ms, ${(percentile(keptAgain, 50) / percentile(sharpPreview, 50)).toFixed(2)} of sharp's rendering`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
