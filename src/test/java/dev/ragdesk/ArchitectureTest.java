package dev.ragdesk;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering that docs/ARCHITECTURE.md describes, held on the compiled classes (imports and
 * inline names alike): data flows UI → session → engines, engines know no UI, and no two
 * packages depend on each other.
 */
class ArchitectureTest {
    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.ragdesk");
    }

    @Test
    void noCycleBetweenPackages() {
        slices().matching("dev.ragdesk.(*)..").should().beFreeOfCycles().check(product);
    }

    @Test
    void retrievalAndVoiceKnowNoEngine() {
        noClasses().that().resideInAnyPackage("dev.ragdesk.rag..", "dev.ragdesk.voice..", "dev.ragdesk.embed..")
                .should().dependOnClassesThat().resideInAPackage("dev.ragdesk.engine..").check(product);
    }

    @Test
    void enginesKnowNoSessionAndNoUi() {
        noClasses().that().resideInAPackage("dev.ragdesk.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.ragdesk.session..", "dev.ragdesk.ui..", "dev.ragdesk.cli..",
                        "dev.ragdesk.rag..", "dev.ragdesk.voice..")
                .check(product);
    }

    /**
     * A UI sees the session and the config only, plus the value records that session events
     * carry to it (a download's progress, an index run's progress, a memory sample) and small
     * text helpers. Never an engine, a retriever, a model host or a downloader.
     */
    @Test
    void userInterfacesSeeTheSessionOnly() {
        classes().that().resideInAPackage("dev.ragdesk.ui..")
                .should().onlyDependOnClassesThat(DescribedPredicate.describe("session, config or a carried value",
                        c -> !c.getPackageName().startsWith("dev.ragdesk")
                                || c.getPackageName().equals("dev.ragdesk")
                                || c.getPackageName().startsWith("dev.ragdesk.ui")
                                || c.getPackageName().equals("dev.ragdesk.session")
                                || c.getPackageName().equals("dev.ragdesk.config")
                                || c.getPackageName().equals("dev.ragdesk.io")
                                || c.getPackageName().equals("dev.ragdesk.process")
                                || Set.of("dev.ragdesk.models.DownloadProgress", "dev.ragdesk.rag.IndexProgress",
                                        "dev.ragdesk.gpu.GpuSample", "dev.ragdesk.gpu.GpuDevice").contains(c.getName().replaceAll("\\$.*", ""))))
                .check(product);
    }

    @Test
    void benchmarksAreReachedFromTheCommandLineOnly() {
        noClasses().that().resideOutsideOfPackages("dev.ragdesk.bench..", "dev.ragdesk.cli..")
                .should().dependOnClassesThat().resideInAPackage("dev.ragdesk.bench..").check(product);
    }
}
