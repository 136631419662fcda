/**
 * Any {@link dev.asclepius.core.LanguageModel} as a langchain4j chat and language model (blocking and
 * streaming). langchain4j-core 1.19 has no module descriptor and no Automatic-Module-Name, so its module
 * name {@code langchain4j.core} is the one Java derives from the jar's file name.
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.asclepius.langchain4j {
    requires transitive dev.asclepius.core;
    requires transitive langchain4j.core;       // ChatModel, ChatRequest, ... are in this module's API
    requires static transitive org.jspecify;

    exports dev.asclepius.langchain4j;
}
