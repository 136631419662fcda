package dev.asclepius.spark;

import dev.asclepius.tasks.NoteInput;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** A partition of input rows to the same rows with the result columns appended. */
final class RowFunction implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final NoteAnalyzer analyzer;
    private final Settings settings;
    private final int noteIndex;
    private final int idIndex;          // -1: no id column
    private final Progress progress;

    RowFunction(NoteAnalyzer analyzer, Settings settings, int noteIndex, int idIndex, Progress progress) {
        this.analyzer = analyzer;
        this.settings = settings;
        this.noteIndex = noteIndex;
        this.idIndex = idIndex;
        this.progress = progress;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ResultRows results = settings.rows();
        Iterator<NoteAnalyzer.Paired<Row>> paired = analyzer.run(rows, this::note);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return paired.hasNext();
            }

            @Override
            public Row next() {
                NoteAnalyzer.Paired<Row> p = paired.next();
                progress.add(p.result());
                Object[] extra = results.values(p.result());
                Row in = p.item();
                Object[] out = new Object[in.length() + extra.length];
                for (int i = 0; i < in.length(); i++) {
                    out[i] = in.get(i);
                }
                System.arraycopy(extra, 0, out, in.length(), extra.length);
                return RowFactory.create(out);
            }
        };
    }

    private NoteInput note(Row row) {
        String id = idIndex < 0 || row.isNullAt(idIndex) ? "" : String.valueOf(row.get(idIndex));
        return NoteInput.of(id, row.isNullAt(noteIndex) ? null : row.getString(noteIndex));
    }
}
