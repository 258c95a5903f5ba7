/**
 * Terminal output → plain text for search. A streaming state machine (sequences may be split
 * across chunks) that drops escape sequences and control characters. Cursor moves become a space
 * (TUIs place words with them), colour changes become nothing (they can sit inside a word).
 * Runs of blanks collapse, so the text stays small.
 */
const ESC = 0x1b;
const BEL = 0x07;

type State = "ground" | "esc" | "escInter" | "csi" | "osc" | "oscEsc" | "str" | "strEsc";

export class PlainText {
  private state: State = "ground";
  private lastBlank: "" | " " | "\n" = "\n";

  /** Text for `chunk` (already UTF-8 decoded, streaming). */
  push(chunk: string): string {
    let out = "";
    const emit = (s: string) => {
      if (s === " " || s === "\n") {
        if (this.lastBlank === "\n" || this.lastBlank === s) return;
        out += s;
        this.lastBlank = s;
      } else {
        out += s;
        this.lastBlank = "";
      }
    };
    for (const ch of chunk) {
      const c = ch.codePointAt(0)!;
      switch (this.state) {
        case "ground":
          if (c === ESC) this.state = "esc";
          else if (c === 0x9b) this.state = "csi";
          else if (c === 0x9d) this.state = "osc";
          else if (c === 0x0d || c === 0x0a) emit("\n");
          else if (c === 0x09) emit(" ");
          else if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f)) emit(ch);
          break;
        case "esc":
          if (c === 0x5b) this.state = "csi";
          else if (c === 0x5d) this.state = "osc";
          else if (c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.state = "str";
          else if (c >= 0x20 && c <= 0x2f) this.state = "escInter";
          else this.state = "ground";
          break;
        case "escInter":
          if (c < 0x20 || c > 0x2f) this.state = "ground";
          break;
        case "csi":
          if (c >= 0x40 && c <= 0x7e) {
            this.state = "ground";
            if (c !== 0x6d) emit(" "); // not SGR: a cursor move or erase separates words
          } else if (c < 0x20 || c > 0x3f) this.state = "ground"; // malformed: resync
          break;
        case "osc":
          if (c === BEL || c === 0x9c) this.state = "ground";
          else if (c === ESC) this.state = "oscEsc";
          break;
        case "oscEsc":
          this.state = c === 0x5c ? "ground" : "osc";
          break;
        case "str":
          if (c === 0x9c) this.state = "ground";
          else if (c === ESC) this.state = "strEsc";
          break;
        case "strEsc":
          this.state = c === 0x5c ? "ground" : "str";
          break;
      }
    }
    return out;
  }
}

/** One-shot conversion of a whole byte string. */
export function plainText(bytes: Uint8Array | string): string {
  const text = typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes);
  return new PlainText().push(text);
}
