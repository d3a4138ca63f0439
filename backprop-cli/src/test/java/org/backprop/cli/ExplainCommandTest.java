package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ExplainCommandTest {

    @Test
    void printsEveryQuantityOfTheSeedNetworkInItsNotation() {
        CliRunner r = CliRunner.run("explain");
        assertEquals(0, r.exitCode(), r.err());
        for (String q : List.of("g1 = W1ᵀx + b1", "h1 = φ(g1)", "g2 = W2ᵀh1 + b2", "h2 = φ(g2)", "L  = ½‖y − h2‖²",
                "δ2 = −(y − h2) ⊙ φ′(g2)", "∂L/∂W2 = h1·δ2ᵀ", "∂L/∂b2 = δ2", "δ1 = (W2·δ2) ⊙ φ′(g1)",
                "∂L/∂W1 = x·δ1ᵀ", "∂L/∂b1 = δ1", "W := W − η·∂L/∂W")) {
            assertTrue(r.out().contains(q), "missing " + q + " in\n" + r.out());
        }
    }

    @Test
    void lossFallsOverSeveralStepsForEveryActivation() {
        for (String phi : List.of("sigmoid", "tanh", "relu")) {
            CliRunner r = CliRunner.run("explain", "--steps", "20", "--activation", phi, "--lr", "0.3", "--seed", "3");
            assertEquals(0, r.exitCode(), r.err());
            List<Double> losses = new ArrayList<>();
            Matcher m = Pattern.compile("step\\s+\\d+\\s+L = ([0-9.]+)").matcher(r.out());
            while (m.find()) losses.add(Double.parseDouble(m.group(1)));
            assertEquals(20, losses.size(), r.out());
            assertTrue(losses.get(19) < losses.get(0), phi + ": loss did not fall: " + losses);
        }
    }

    @Test
    void largerNetworksAreCheckedToo() {
        CliRunner r = CliRunner.run("explain", "--inputs", "5", "--hidden", "7", "--outputs", "3", "--seed", "9");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("5") && r.out().contains("7 sigmoid units"));
    }

    @Test
    void badOptionsGiveOneLineErrors() {
        CliRunner r = CliRunner.run("explain", "--activation", "softplus");
        assertEquals(1, r.exitCode());
        assertEquals("backprop: --activation must be sigmoid, tanh or relu, not 'softplus'", r.err().strip());
    }
}
