type Rgb = [number, number, number];

const rgbOf = (hex: string): Rgb => [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)) as Rgb;
const hexOf = (rgb: Rgb): string => `#${rgb.map((channel) => Math.round(Math.min(255, Math.max(0, channel))).toString(16).padStart(2, '0')).join('')}`;

/** `colour` moved the fraction `t` (0..1) of the way to `target`. */
export function mix(colour: string, target: string, t: number): string {
  const from = rgbOf(colour);
  const to = rgbOf(target);
  return hexOf(from.map((channel, index) => channel + (to[index] - channel) * t) as Rgb);
}

/** Relative luminance 0 (black) .. 1 (white). */
function luminanceOf(colour: string): number {
  const [r, g, b] = rgbOf(colour);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** A colour that still shows as a line on the white background (hydrogen's white becomes grey). */
export function inkOf(colour: string): string {
  return luminanceOf(colour) > 0.8 ? mix(colour, '#000000', 0.35) : colour;
}

/** The outline of a shape of this colour. */
export const outlineOf = (colour: string): string => mix(colour, '#000000', 0.55);

/** From blue (0) through green to red (1): how a backbone is coloured from its N to its C terminus. */
export function rainbow(t: number): string {
  const hue = 240 * (1 - Math.min(1, Math.max(0, t)));
  // Saturation 80 % at lightness 50 %.
  const chroma = 0.8;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = 0.5 - chroma / 2;
  const sector = Math.floor(hue / 60) % 6;
  const [r, g, b] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector];
  return hexOf([(r + m) * 255, (g + m) * 255, (b + m) * 255]);
}
