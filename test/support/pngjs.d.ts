// The little of pngjs (a dependency of qrcode, without published types here) the e2e tests use:
// reading a PNG into RGBA bytes.
declare module 'pngjs' {
  interface PngImage {
    width: number;
    height: number;
    /** RGBA, 4 bytes a pixel, row by row. */
    data: Buffer;
  }
  const pngjs: { PNG: { sync: { read(buffer: Buffer): PngImage } } };
  export default pngjs;
}
