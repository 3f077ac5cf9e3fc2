package dev.ragdesk.cli;

import dev.ragdesk.config.Config;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --backend lucene|solr}: one command on the other index than [retrieval].backend names. */
final class BackendOption {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "lucene (this workspace's index/) or solr (the [solr] collection); default: [retrieval].backend.")
    String backend;

    /** {@code config} with the backend asked for; a Solr backend without a cluster to reach is refused in one line. */
    Config apply(Config config) {
        if (backend == null) return config;
        var name = backend.trim();
        if (!Config.Retrieval.BACKENDS.contains(name)) {
            throw new ParameterException(spec.commandLine(), "--backend must be lucene or solr, not \"" + name + "\"");
        }
        if (name.equals(Config.Retrieval.SOLR) && !config.solr().hasAddress()) {
            throw new ParameterException(spec.commandLine(), "--backend solr needs the cluster's address: set [solr].url (or zk_hosts) "
                    + "in config.toml");
        }
        return config.withRetrieval(config.retrieval().withBackend(name));
    }
}
