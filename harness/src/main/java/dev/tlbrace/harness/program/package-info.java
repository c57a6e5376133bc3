/**
 * What one run of a program is: its roles ({@link dev.tlbrace.harness.program.Role}), its
 * judge ({@link dev.tlbrace.harness.program.ScenarioRun}) and the judge's word
 * ({@link dev.tlbrace.harness.program.Verdict}). Below both the explorer, which runs a program
 * one step at a time, and the scenarios, which are programs: neither package is imported here.
 */
package dev.tlbrace.harness.program;
