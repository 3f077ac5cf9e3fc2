package dev.ragdesk.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** {@code "auto"} (let the VRAM planner decide) or a fixed number of layers to offload. */
public record GpuLayers(Integer count) {

    public static final GpuLayers AUTO = new GpuLayers(null);

    public static GpuLayers of(int count) { return new GpuLayers(count); }

    public boolean isAuto() { return count == null; }

    @JsonCreator
    public static GpuLayers parse(Object value) {
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return of(n.intValue());
        if (value instanceof String s && s.trim().equalsIgnoreCase("auto")) return AUTO;
        if (value instanceof String s && s.trim().matches("-?\\d+")) return of(Integer.parseInt(s.trim()));
        throw new IllegalArgumentException("must be \"auto\" or a whole number of layers, not " + describe(value));
    }

    @JsonValue
    public Object toJson() { return isAuto() ? "auto" : count; }

    @Override
    public String toString() { return String.valueOf(toJson()); }

    private static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }
}
