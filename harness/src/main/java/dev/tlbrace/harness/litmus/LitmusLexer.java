package dev.tlbrace.harness.litmus;

import dev.tlbrace.harness.litmus.LitmusReader.LitmusSyntaxError;
import java.util.Arrays;

/**
 * Splits a litmus file into tokens on demand, from any position, so that the reader can switch
 * between herd7's two lexical worlds: outside process bodies {@code (* ... *)} is an OCaml
 * comment and {@code /\ \/ ==>} are condition operators; inside a body the text is C, where
 * {@code (*x)} is a dereference. C comments are skipped everywhere.
 */
final class LitmusLexer {
    enum Kind { IDENT, NUM, PUNCT, EOF }

    /** One token; {@code start}/{@code end} are offsets into the text. */
    record Token(Kind kind, String text, int start, int end, int line) {
        /** An identifier or punctuation spelled exactly {@code s}. */
        boolean is(String s) {
            return kind != Kind.NUM && kind != Kind.EOF && text.equals(s);
        }

        /** How an error message names it. */
        String shown() {
            return kind == Kind.EOF ? "end of file" : "'" + text + "'";
        }
    }

    // Longest first, so that "<<=" wins over "<<" and "<".
    private static final String[] C_PUNCT = {"<<=", ">>=", "==", "!=", "<=", ">=", "<<", ">>", "&&", "||",
        "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "->"};
    // herd7 spells implication "=>"; "==>" is accepted as well.
    private static final String[] COND_PUNCT = {"==>", "=>", "/\\", "\\/", "==", "!=", "<>"};
    private static final String SINGLE = "{}()[];,:=+-*/%&|^!~<>?.\\";

    private final String file;
    private final String text;
    private final int[] lineStarts;

    LitmusLexer(String file, String text) {
        this.file = file;
        this.text = text;
        int count = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        lineStarts = new int[count];
        int k = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts[k++] = i + 1;
            }
        }
    }

    String text() {
        return text;
    }

    /** The 1-based line of an offset. */
    int lineOf(int pos) {
        int i = Arrays.binarySearch(lineStarts, pos);
        return i >= 0 ? i + 1 : -i - 1;
    }

    LitmusSyntaxError error(int pos, String what) {
        return new LitmusSyntaxError(file, lineOf(pos), what);
    }

    LitmusSyntaxError errorAtLine(int line, String what) {
        return new LitmusSyntaxError(file, line, what);
    }

    /** The token at or after {@code pos}; {@code cBody} selects the process-body world. */
    Token token(int pos, boolean cBody) throws LitmusSyntaxError {
        int p = skip(pos, cBody);
        int n = text.length();
        if (p >= n) {
            return new Token(Kind.EOF, "", n, n, lineOf(n));
        }
        char c = text.charAt(p);
        if (Character.isLetter(c) || c == '_') {
            int e = p + 1;
            while (e < n && isIdentPart(text.charAt(e))) {
                e++;
            }
            return new Token(Kind.IDENT, text.substring(p, e), p, e, lineOf(p));
        }
        if (c >= '0' && c <= '9') {
            return number(p);
        }
        for (String s : cBody ? C_PUNCT : COND_PUNCT) {
            if (text.startsWith(s, p)) {
                return new Token(Kind.PUNCT, s, p, p + s.length(), lineOf(p));
            }
        }
        if (SINGLE.indexOf(c) >= 0) {
            return new Token(Kind.PUNCT, String.valueOf(c), p, p + 1, lineOf(p));
        }
        throw error(p, "unexpected character " + shownChar(c));
    }

    private Token number(int p) throws LitmusSyntaxError {
        int n = text.length();
        int e = p;
        if (text.startsWith("0x", p) || text.startsWith("0X", p)) {
            e = p + 2;
            while (e < n && Character.digit(text.charAt(e), 16) >= 0) {
                e++;
            }
            if (e == p + 2) {
                throw error(p, "malformed number: '0x' without digits");
            }
        } else {
            while (e < n && text.charAt(e) >= '0' && text.charAt(e) <= '9') {
                e++;
            }
        }
        int digitsEnd = e;
        while (e < n && "uUlL".indexOf(text.charAt(e)) >= 0) {
            e++; // C integer suffixes say nothing about the value
        }
        if (e < n && isIdentPart(text.charAt(e))) {
            int f = e;
            while (f < n && isIdentPart(text.charAt(f))) {
                f++;
            }
            throw error(p, "malformed number '" + text.substring(p, f) + "'");
        }
        return new Token(Kind.NUM, text.substring(p, digitsEnd), p, e, lineOf(p));
    }

    /** Skips white space and comments from {@code p}. */
    int skip(int p, boolean cBody) throws LitmusSyntaxError {
        int n = text.length();
        while (p < n) {
            char c = text.charAt(p);
            if (Character.isWhitespace(c) || c == '\uFEFF') {
                p++;
            } else if (text.startsWith("/*", p)) {
                int e = text.indexOf("*/", p + 2);
                if (e < 0) {
                    throw error(p, "unterminated /* comment");
                }
                p = e + 2;
            } else if (text.startsWith("//", p)) {
                int e = text.indexOf('\n', p);
                p = e < 0 ? n : e;
            } else if (!cBody && text.startsWith("(*", p)) {
                p = ocamlCommentEnd(p);
            } else {
                break;
            }
        }
        return p;
    }

    /** The offset just after the {@code *)} closing the comment opened at {@code p}; they nest, as in OCaml. */
    int ocamlCommentEnd(int p) throws LitmusSyntaxError {
        int depth = 0;
        int n = text.length();
        int i = p;
        while (i < n) {
            if (text.startsWith("(*", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith("*)", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw error(p, "unterminated (* comment");
    }

    static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    static String shownChar(char c) {
        return c >= ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
