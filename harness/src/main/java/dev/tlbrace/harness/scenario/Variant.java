package dev.tlbrace.harness.scenario;

/**
 * One protocol choice of a scenario.
 *
 * @param id          kebab-case id used on the command line ({@code range-start-request})
 * @param commit      the kernel commit (or patch) that introduced the behaviour
 * @param expectation known bug or fixed
 * @param summary     one line: what the kernel does in this variant
 */
public record Variant(String id, String commit, Expectation expectation, String summary) { }
