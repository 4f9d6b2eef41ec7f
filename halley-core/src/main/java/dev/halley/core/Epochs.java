package dev.halley.core;

import java.security.SecureRandom;

/** Epoch identifiers: short random strings that change whenever a channel's offsets could repeat. */
public final class Epochs {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray();

    private Epochs() {
    }

    /** A new epoch of 10 random characters (about 59 bits). */
    public static String random() {
        char[] c = new char[10];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    /** Epochs are 1–64 letters, digits, '-' or '_'. */
    public static boolean isValid(String epoch) {
        if (epoch == null || epoch.isEmpty() || epoch.length() > 64) {
            return false;
        }
        for (int i = 0; i < epoch.length(); i++) {
            char ch = epoch.charAt(i);
            if (!(Character.isLetterOrDigit(ch) && ch < 128) && ch != '-' && ch != '_') {
                return false;
            }
        }
        return true;
    }
}
