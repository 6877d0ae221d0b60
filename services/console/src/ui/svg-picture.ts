/** Keeps a picture readable on a high-density screen without making a large one huge. */
const MAX_SCALE = 2;
/** The size an SVG without its own (width and height) is drawn at. */
const FALLBACK_SIZE = 600;

/**
 * An SVG (a job's output, written by any program) as PNG pixels. It is drawn as an image, where nothing
 * in it runs, and the page then shows, and a person may open in a tab of its own, only pixels: an SVG
 * kept as a blob URL of the console's origin would, opened as a document, run its scripts there.
 */
export async function svgAsPng(svg: Blob): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const scale = Math.min(window.devicePixelRatio || 1, MAX_SCALE);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round((image.naturalWidth || FALLBACK_SIZE) * scale);
    canvas.height = Math.round((image.naturalHeight || FALLBACK_SIZE) * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw pictures.');
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((png) => (png ? resolve(png) : reject(new Error('The picture could not be drawn.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
