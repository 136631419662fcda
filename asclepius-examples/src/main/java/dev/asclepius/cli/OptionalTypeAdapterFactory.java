package dev.asclepius.cli;

import com.google.gson.Gson;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.Optional;

/**
 * {@link Optional} as its content, or JSON {@code null} when empty. Gson has no built-in adapter for it
 * (reflection into {@code java.util} fails on Java 17), and the task records use Optional for the
 * attributes an answer may not give. {@link Json#GSON} serializes nulls, so an empty Optional is always
 * written as {@code "field": null}, never left out.
 */
final class OptionalTypeAdapterFactory implements TypeAdapterFactory {

    @Override
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
        if (type.getRawType() != Optional.class) {
            return null;
        }
        TypeAdapter<?> content = gson.getAdapter(TypeToken.get(contentType(type.getType())));
        @SuppressWarnings("unchecked")
        TypeAdapter<T> adapter = (TypeAdapter<T>) new OptionalAdapter<>(content);
        return adapter;
    }

    /** {@code X} of {@code Optional<X>} / {@code Optional<? extends X>}; Object for a raw Optional (runtime type used). */
    private static Type contentType(Type optional) {
        if (!(optional instanceof ParameterizedType parameterized)) {
            return Object.class;
        }
        Type arg = parameterized.getActualTypeArguments()[0];
        if (arg instanceof WildcardType wildcard) {
            return wildcard.getUpperBounds()[0];
        }
        return arg;
    }

    private static final class OptionalAdapter<E> extends TypeAdapter<Optional<E>> {
        private final TypeAdapter<E> content;

        OptionalAdapter(TypeAdapter<E> content) {
            this.content = content;
        }

        @Override
        public void write(JsonWriter out, Optional<E> value) throws IOException {
            if (value == null || value.isEmpty()) {
                out.nullValue();
            } else {
                content.write(out, value.get());
            }
        }

        @Override
        public Optional<E> read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return Optional.empty();
            }
            return Optional.ofNullable(content.read(in));
        }
    }
}
