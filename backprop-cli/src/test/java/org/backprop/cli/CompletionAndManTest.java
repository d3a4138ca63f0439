package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompletionAndManTest {
    @Test
    void completionScriptKnowsEveryCommandAndItsOptions() {
        CliRunner r = CliRunner.run("completion");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out().substring(0, 40));
        for (String s : new String[] {"train", "predict", "evaluate", "gradcheck", "--data", "--input", "--target",
                "cross_entropy"}) {
            assertTrue(r.out().contains(s), "completion lacks " + s);
        }
    }

    @Test
    void manPageListsEveryCommandWithItsOptionsInTroff() {
        CliRunner r = CliRunner.run("man");
        assertEquals(0, r.exitCode(), r.err());
        String page = r.out();
        assertTrue(page.startsWith(".TH BACKPROP 1 "), page.substring(0, 40));
        for (String c : new String[] {"train", "evaluate", "predict", "info", "gradcheck", "explain", "completion"}) {
            assertTrue(page.contains(".SS \"backprop " + c + "\""), "no section for " + c);
        }
        assertTrue(page.contains("\\fB\\-\\-data\\fR, \\fB\\-\\-input\\fR="), "predict's --data and its alias --input");
        assertTrue(page.contains("(default: 42)"), "defaults are expanded");
        for (String line : page.split("\n")) {
            assertTrue(!line.startsWith(".") || line.matches("\\.(TH|SH|SS|TP|PP|B) ?.*"), "a stray control line: " + line);
        }
    }
}
