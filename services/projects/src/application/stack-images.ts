import { invalidField } from '@cairn/contracts';
import sharp from 'sharp';
import type { MeasuredFrame } from '../domain/stack';

/** The file types a stack's frames come from: PNG, JPEG and TIFF (multi-page TIFF included). */
export const STACK_IMAGE_TYPES = ['png', 'jpg', 'jpeg', 'tif', 'tiff'];

export const isStackImage = (path: string) => STACK_IMAGE_TYPES.includes(path.slice(path.lastIndexOf('.') + 1).toLowerCase());

/** libvips names its sample formats after C types; stacks speak of their width and signedness. */
const PIXEL_TYPES: Record<string, string> = { uchar: 'uint8', char: 'int8', ushort: 'uint16', short: 'int16', uint: 'uint32', int: 'int32', float: 'float32', double: 'float64' };

/** Largest side of a thumbnail and of a frame's preview, in pixels. */
export const THUMBNAIL_SIZE = 256;
export const PREVIEW_SIZE = 1024;

/** Each page of an image file as a frame, measured from its header (no pixel is decoded). */
export async function framesOf(fileId: string, bytes: Buffer): Promise<MeasuredFrame[]> {
  const unreadable = (reason: string) => invalidField('stacks.unreadable-image', 'frames', `file ${fileId} is not a PNG, JPEG or TIFF image sharp can read (${reason})`);
  const first = await sharp(bytes).metadata().catch((error: Error) => Promise.reject(unreadable(error.message)));
  const pages = first.pages ?? 1;
  const frames: MeasuredFrame[] = [];
  for (let page = 0; page < pages; page++) {
    const meta = page === 0 ? first : await sharp(bytes, { page }).metadata().catch((error: Error) => Promise.reject(unreadable(error.message)));
    if (!meta.width || !meta.height || !meta.depth || !meta.channels) throw unreadable(`page ${page + 1} has no size or sample format`);
    frames.push({ fileId, page, width: meta.width, height: meta.height, pixelType: PIXEL_TYPES[meta.depth] ?? meta.depth, channels: meta.channels });
  }
  return frames;
}

/**
 * One page as an 8-bit PNG at most `size` pixels on a side, its contrast stretched to the page's own range,
 * so a 16-bit or float frame whose values fill a small part of their range is still seen.
 */
export function renderFrame(bytes: Buffer, page: number, size: number): Promise<Buffer> {
  return sharp(bytes, { page })
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .normalise()
    .toColourspace('srgb')
    .png()
    .toBuffer();
}
