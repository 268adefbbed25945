package dev.pgentrypoint.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one Jackson mapper for the JSON documents the entrypoint writes and reads: its state file, the
 * backup status, pgBackRest's {@code info}, Patroni's REST answers and the health report. Records
 * are the data types; fields a record does not name are ignored; a value of the wrong JSON type
 * (a number where text is expected, {@code "1"} or {@code 1.5} where an integer is) is an error
 * rather than converted, so a damaged file is refused instead of half read.
 */
public final class Mappers {

    private Mappers() {
    }

    /** The shared JSON mapper (thread-safe; built on first use). */
    public static ObjectMapper json() {
        return Holder.JSON;
    }

    private static final class Holder {
        static final ObjectMapper JSON = build();

        private static ObjectMapper build() {
            JsonMapper mapper = JsonMapper.builder()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .build();
            for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer,
                    CoercionInputShape.Float, CoercionInputShape.Boolean}) {
                mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
            }
            return mapper;
        }
    }
}
