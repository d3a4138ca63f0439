package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinDatasetsTest {

    @Test
    void digitsHas1797ScaledImagesOfTenDigits() {
        Dataset d = BuiltinDatasets.digits();
        assertArrayEquals(new int[] {1797, 64}, d.features().shape());
        assertArrayEquals(new int[] {1797}, d.targets().shape());
        assertEquals(10, d.classCount());
        int[] perClass = new int[10];
        for (float y : d.targets().toFloatArray()) perClass[(int) y]++;
        for (int c = 0; c < 10; c++) assertTrue(perClass[c] > 150, "digit " + c + " has " + perClass[c] + " samples");
        float max = 0;
        for (float v : d.features().toFloatArray()) {
            assertTrue(v >= 0 && v <= 1, "pixel " + v + " outside [0, 1]");
            max = Math.max(max, v);
        }
        assertEquals(1f, max, "the brightest pixels (16) scale to exactly 1");
        // first row of the file: 0,0,5,13,9,1,0,0,... label 0
        assertEquals(5 / 16f, d.features().get(0, 2));
        assertEquals(13 / 16f, d.features().get(0, 3));
        assertEquals(0f, d.targets().get(0));
        assertEquals("pixel_0_2", d.featureNames().get(2));
    }

    @Test
    void housingHas506TownsTwelveFeaturesAndMedvWithoutB() {
        Dataset d = BuiltinDatasets.housing();
        assertArrayEquals(new int[] {506, 12}, d.features().shape());
        assertArrayEquals(new int[] {506, 1}, d.targets().shape());
        assertEquals(List.of("MEDV"), d.targetNames());
        assertEquals(List.of("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "LSTAT"),
                d.featureNames());
        assertFalse(d.featureNames().contains("B"));
        // first data row: 0.00632,18,2.31,0,0.538,6.575,65.2,4.09,1,296,15.3,396.9,4.98,24
        assertEquals(0.00632f, d.features().get(0, 0));
        assertEquals(15.3f, d.features().get(0, 10));
        assertEquals(4.98f, d.features().get(0, 11), "LSTAT follows PTRATIO once B is gone");
        assertEquals(24f, d.targets().get(0, 0));
    }

    @Test
    void lookupByNameAndUnknownNamesListTheKnownOnes() {
        assertEquals(1797, BuiltinDatasets.load("Digits").size());
        assertEquals(506, BuiltinDatasets.load("housing").size());
        assertTrue(BuiltinDatasets.isClassification("digits"));
        assertFalse(BuiltinDatasets.isClassification("housing"));
        var e = assertThrows(IllegalArgumentException.class, () -> BuiltinDatasets.load("mnist"));
        assertTrue(e.getMessage().contains("'mnist'") && e.getMessage().contains("digits, housing"), e.getMessage());
    }
}
