package dev.halley.server.http;

/**
 * Makes JSON bytes safe to embed in JavaScript: U+2028 and U+2029 (line terminators in older
 * engines' string literals) become {@code \u2028}/{@code \u2029}, and for HTML script blocks
 * {@code <} becomes {@code \u003c} so no {@code </script>} or {@code <!--} can end the block.
 * Both can occur only inside JSON strings, where the escapes mean the same characters.
 */
public final class ScriptSafe {
    private ScriptSafe() {
    }

    /** {@code json} itself when nothing needs escaping, otherwise an escaped copy. */
    public static byte[] escape(byte[] json, boolean inHtml) {
        int extra = 0;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inHtml && b == '<') {
                extra += 5;
            } else if (isSeparator(json, i)) {
                extra += 3;
            }
        }
        if (extra == 0) {
            return json;
        }
        byte[] out = new byte[json.length + extra];
        int o = 0;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inHtml && b == '<') {
                o = put(out, o, "\\u003c");
            } else if (isSeparator(json, i)) {
                o = put(out, o, json[i + 2] == (byte) 0xA8 ? "\\u2028" : "\\u2029");
                i += 2;
            } else {
                out[o++] = b;
            }
        }
        return out;
    }

    private static boolean isSeparator(byte[] s, int i) {
        return s[i] == (byte) 0xE2 && i + 2 < s.length && s[i + 1] == (byte) 0x80
                && (s[i + 2] == (byte) 0xA8 || s[i + 2] == (byte) 0xA9);
    }

    private static int put(byte[] out, int o, String ascii) {
        for (int k = 0; k < ascii.length(); k++) {
            out[o++] = (byte) ascii.charAt(k);
        }
        return o;
    }
}
