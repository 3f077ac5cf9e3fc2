package dev.ragdesk.rag;

import com.ibm.icu.text.CharsetDetector;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes to text without ever failing: a byte-order mark wins, then strict UTF-8, then ICU's
 * charset detection, and as a last resort UTF-8 with replacement characters.
 */
final class TextDecoder {
    private TextDecoder() {}

    static String decode(byte[] bytes) {
        if (startsWith(bytes, 0xEF, 0xBB, 0xBF)) return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        if (startsWith(bytes, 0xFF, 0xFE)) return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        if (startsWith(bytes, 0xFE, 0xFF)) return new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            var match = new CharsetDetector().setText(bytes).detect();
            if (match != null && match.getConfidence() >= 30 && Charset.isSupported(match.getName())) {
                return new String(bytes, Charset.forName(match.getName()));
            }
            return new String(bytes, StandardCharsets.UTF_8); // malformed bytes become U+FFFD
        }
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if ((bytes[i] & 0xFF) != prefix[i]) return false;
        return true;
    }
}
