/** QR codes drawn locally (no CDN, no network): SVG for the dashboard, text for a terminal. */
import QRCode from "qrcode";

export async function qrSvg(text: string): Promise<{ svg: string; dataUrl: string }> {
  const svg = await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { svg, dataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/** Half-block characters: two QR rows per text line, small enough for a laptop terminal. */
export function qrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: "terminal", small: true, errorCorrectionLevel: "L" });
}
