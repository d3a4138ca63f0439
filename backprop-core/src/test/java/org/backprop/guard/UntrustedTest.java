package org.backprop.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UntrustedTest {
    @Test
    void controlsBidiAndLoneSurrogatesAreEscapedAndLongTextIsCut() {
        assertEquals("'a\\u001b[31mb\\u0007'", Untrusted.quote("a\u001b[31mb\u0007"));
        assertEquals("'\\u202eevil\\u0085\\u2028'", Untrusted.quote("\u202eevil\u0085\u2028"));
        assertEquals("'\\ud800x 😀'", Untrusted.quote("\ud800x 😀"));
        assertEquals("'it\\'s'", Untrusted.quote("it's"));
        assertEquals("'" + "1".repeat(60) + "...(200001 chars)'", Untrusted.quote("1".repeat(200_000) + "x"));
        assertEquals("unknown 'x\\u001b' here", Untrusted.line("unknown 'x\u001b' here"));
        assertEquals(300 + "...(1000 chars)".length(), Untrusted.line("y".repeat(1000)).length());
    }
}
