package dev.ragdesk.app;

/**
 * Where a command gets its {@link AppContext}: the root command, which resolves the workspace
 * and loads the config once. Commands outside the command-line package (the benchmarks) reach
 * it through this, as their picocli parent, and so never depend on the command line's classes.
 */
public interface ContextSource {
    /** @param fullScreen whether the caller owns the terminal (config warnings then go to the log and the console) */
    AppContext context(boolean fullScreen) throws Exception;
}
