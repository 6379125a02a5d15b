package souk.common.bus;

/**
 * How a service tells a failure of something it depends on (its database down, a value the database refused) from a
 * bug of its own. The {@link ServiceDispatcher} asks it about every failure that is not a {@link ServiceException}.
 */
@FunctionalInterface
public interface DependencyFailures {

  /** Recognises nothing: every failure that is not a {@link ServiceException} is a bug, answered 500. */
  DependencyFailures NONE = cause -> null;

  /** The rejection {@code cause} stands for, or {@code null} when it is a bug. */
  ServiceException classify(Throwable cause);
}
