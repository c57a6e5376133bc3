package dev.tlbrace.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shape every protocol-choice enum shares (ApicReload, PermissionUpgrade, KvmFault.Protocol,
 * GfnToPfnCache.Refresh): a command-line id and the kernel commit or patch it stands for. A
 * scenario's variants are built from these, so a new choice is one enum constant.
 */
public interface ProtocolChoice {
    /** kebab-case, as the command line and the reports name the variant. */
    String id();

    /** The kernel commit (or patch, or "before X") whose behaviour this is. */
    String commit();

    /** The constant of {@code type} with this id, or an error naming the valid ones. */
    static <E extends Enum<E> & ProtocolChoice> E byId(Class<E> type, String id) {
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no " + type.getSimpleName() + " '" + id + "'; valid: "
                + Arrays.stream(type.getEnumConstants()).map(ProtocolChoice::id).collect(Collectors.joining(", ")));
    }
}
