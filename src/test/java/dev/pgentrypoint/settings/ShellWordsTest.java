package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShellWordsTest {

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", " \t\n  "})
    void nullOrBlankYieldsNoWords(String input) {
        assertEquals(List.of(), ShellWords.split(input));
    }

    @Test
    void initdbArgumentsWithMixedQuoting() {
        assertEquals(List.of("--locale=C", "--encoding=UTF 8", "-c", "a b"),
            ShellWords.split("--locale=C --encoding=\"UTF 8\" -c 'a b'"));
    }

    @Test
    void singleOptionWithEquals() {
        assertEquals(List.of("--auth-local=md5"), ShellWords.split("--auth-local=md5"));
    }

    @Test
    void whitespaceRunsOfSpacesTabsAndNewlinesSeparateWords() {
        assertEquals(List.of("a", "b", "c", "d"), ShellWords.split("  a \t b\n\nc\t\td  "));
    }

    @Test
    void quotedWhitespaceIsKept() {
        assertEquals(List.of("a\tb", "c\nd"), ShellWords.split("'a\tb' \"c\nd\""));
    }

    @Test
    void carriageReturnIsNotASeparator() {
        assertEquals(List.of("a\rb"), ShellWords.split("a\rb"));
    }

    @Test
    void noExpansionOfVariablesGlobsOrTilde() {
        assertEquals(List.of("$HOME", "${PGDATA}/x", "*.conf", "~", "`id`", "$(id)"),
            ShellWords.split("$HOME \"${PGDATA}/x\" *.conf ~ `id` $(id)"));
    }

    @Test
    void singleQuotesPreserveBackslashesAndDoubleQuotes() {
        assertEquals(List.of("a\\b \"c\" $d"), ShellWords.split("'a\\b \"c\" $d'"));
    }

    @Test
    void doubleQuotesEscapeOnlyTheSpecialCharacters() {
        assertEquals(List.of("$ ` \" \\ \\n \\a"), ShellWords.split("\"\\$ \\` \\\" \\\\ \\n \\a\""));
    }

    @Test
    void backslashNewlineInsideDoubleQuotesIsRemoved() {
        assertEquals(List.of("ab"), ShellWords.split("\"a\\\nb\""));
    }

    @Test
    void unquotedBackslashQuotesNextCharacter() {
        assertEquals(List.of("a b", "'", "\"", "\\", "x"), ShellWords.split("a\\ b \\' \\\" \\\\ \\x"));
    }

    @Test
    void unquotedBackslashNewlineIsALineContinuation() {
        assertEquals(List.of("--a", "--b"), ShellWords.split("--a \\\n--b"));
        assertEquals(List.of("ab"), ShellWords.split("a\\\nb"));
        assertEquals(List.of(), ShellWords.split("\\\n"));
    }

    @Test
    void escapedQuotesInsideWords() {
        assertEquals(List.of("it's", "say \"hi\""), ShellWords.split("it\\'s \"say \\\"hi\\\"\""));
        assertEquals(List.of("it's"), ShellWords.split("'it'\\''s'"));
    }

    @Test
    void adjacentPartsJoinIntoOneWord() {
        assertEquals(List.of("abcdef"), ShellWords.split("a'b'\"c\"d\\ef"));
        assertEquals(List.of("--opt=a b"), ShellWords.split("--opt='a b'"));
    }

    @Test
    void emptyQuotesYieldEmptyWords() {
        assertEquals(List.of(""), ShellWords.split("''"));
        assertEquals(List.of(""), ShellWords.split("\"\""));
        assertEquals(List.of("a", "", "b", ""), ShellWords.split("a '' b \"\""));
        assertEquals(List.of("x"), ShellWords.split("''x"));
    }

    @Test
    void unicodeIsKept() {
        assertEquals(List.of("--locale=de_DE.UTF-8", "é ü"), ShellWords.split("--locale=de_DE.UTF-8 'é ü'"));
    }

    @Test
    void unterminatedSingleQuoteIsReportedWithPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ShellWords.split("--locale=C 'abc"));
        assertEquals("unterminated single quote starting at position 11", e.getMessage());
    }

    @Test
    void unterminatedDoubleQuoteIsReportedWithPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ShellWords.split("a \"b\\\""));
        assertEquals("unterminated double quote starting at position 2", e.getMessage());
    }

    @Test
    void trailingBackslashInsideDoubleQuotesIsAnUnterminatedQuote() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ShellWords.split("\"abc\\"));
        assertTrue(e.getMessage().startsWith("unterminated double quote"), e.getMessage());
    }

    @Test
    void trailingLoneBackslashIsReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ShellWords.split("abc \\"));
        assertEquals("trailing backslash at position 4", e.getMessage());
    }

    @Test
    void quoteLeavesSafeWordsAlone() {
        assertEquals("--auth-local=md5", ShellWords.quote("--auth-local=md5"));
        assertEquals("/var/lib/postgresql/data", ShellWords.quote("/var/lib/postgresql/data"));
        assertEquals("user@host:5432,x", ShellWords.quote("user@host:5432,x"));
    }

    @Test
    void quoteWrapsEverythingElseInSingleQuotes() {
        assertEquals("''", ShellWords.quote(""));
        assertEquals("'a b'", ShellWords.quote("a b"));
        assertEquals("'$HOME'", ShellWords.quote("$HOME"));
        assertEquals("'it'\\''s'", ShellWords.quote("it's"));
        assertEquals("'~'", ShellWords.quote("~"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "a b", "it's", "'", "''", "\"", "\\", "a\\", "$x", "`id`",
        "tab\there", "new\nline", "back\\\nslash-newline", "*", "é ü", "--encoding=\"UTF 8\"", "\\\"'\\''"})
    void quoteRoundTripsThroughSplit(String word) {
        assertEquals(List.of(word), ShellWords.split(ShellWords.quote(word)));
    }

    @Test
    void quotedWordsJoinedBySpacesSplitBack() {
        List<String> words = List.of("initdb", "--username=postgres", "-c", "a b", "", "it's");
        String line = String.join(" ", words.stream().map(ShellWords::quote).toList());
        assertEquals(words, ShellWords.split(line));
    }
}
