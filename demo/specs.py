"""Java projects of the demo corpus, their releases and the Guava version of each.

Every corpus project starts on Guava 16 and moves to Guava 21 or later, and
the move rewrites the Guava 16 APIs that Guava 21 deprecated or removed
(`Objects.toStringHelper`, `Objects.firstNonNull`, `Iterators.emptyIterator`,
the two-argument `Futures.transform`, `Files.toString`, Stopwatch
constructors). Guava 16 is the last release before 17 removed the Stopwatch
constructors, so the old code is valid against the version it declares.
Each project also has methods that use Guava but do not change, and methods
without Guava that do change, so a demo job shows which ones are reported.
The user project is on Guava 16 and has methods like the corpus's Guava 16
methods, written with other names and small statement changes.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class PomStyle(Enum):
    """Style of the Guava version declaration in a project's pom.xml."""

    DIRECT = "direct"  # <version>16.0</version> in the dependency
    PROPERTY = "property"  # <version>${guava.version}</version> and a property
    PARENT = "parent"  # a parent pom with modules and dependencyManagement


@dataclass(frozen=True)
class Edit:
    """A text replacement in one file, applied to every occurrence of `old`."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Release:
    """A tagged commit: the edits since the previous release and its Guava version.

    `added_files` maps paths to the text of files new in this release.
    """

    tag: str
    guava_version: str
    date: str
    edits: tuple[Edit, ...] = ()
    added_files: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectSpec:
    """A generated Java project: its Maven coordinates, first sources and releases.

    `files` are the Java files of the first release. With PomStyle.PARENT,
    `module` names the single module folder, and Java paths start with it.
    """

    name: str
    group_id: str
    pom_style: PomStyle
    files: Mapping[str, str]
    releases: tuple[Release, ...]
    module: str = ""


def migrate(path: str, *replacements: tuple[str, str]) -> tuple[Edit, ...]:
    """Return the edits that apply `(old, new)` replacements to one file."""
    return tuple(Edit(path=path, old=old, new=new) for old, new in replacements)


# Replacements that every Guava 16 to 21 migration below uses.
TO_STRING_HELPER = ("Objects.toStringHelper(", "MoreObjects.toStringHelper(")
FIRST_NON_NULL = ("Objects.firstNonNull(", "MoreObjects.firstNonNull(")
EMPTY_ITERATOR = ("Iterators.emptyIterator()", "Collections.emptyIterator()")


def add_direct_executor(last_statement: str) -> tuple[str, str]:
    """Return the replacement that passes `MoreExecutors.directExecutor()` to
    the `Futures.transform` call whose anonymous function ends with
    `last_statement`, as Guava 21 code does."""
    closing = "\n            }\n        }"
    return (
        last_statement + closing + ");",
        last_statement + closing + ", MoreExecutors.directExecutor());",
    )


OBJECTS_IMPORT_TO_MORE_OBJECTS = (
    "import com.google.common.base.Objects;\n",
    "import com.google.common.base.MoreObjects;\n",
)
OBJECTS_IMPORT_ADD_MORE_OBJECTS = (
    "import com.google.common.base.Objects;\n",
    "import com.google.common.base.MoreObjects;\n"
    "import com.google.common.base.Objects;\n",
)


# --- inventory-service: direct version, toString, equals, Files.toString ---

INVENTORY_ITEM = "src/main/java/com/example/inventory/Item.java"
INVENTORY_REPORT = "src/main/java/com/example/inventory/InventoryReport.java"

INVENTORY_ITEM_JAVA = """\
package com.example.inventory;

import com.google.common.base.Objects;
import com.google.common.base.Preconditions;

public final class Item {
    private final String sku;
    private final String name;
    private final int quantity;
    private final long priceCents;

    public Item(String sku, String name, int quantity, long priceCents) {
        this.sku = Preconditions.checkNotNull(sku, "sku");
        this.name = Preconditions.checkNotNull(name, "name");
        Preconditions.checkArgument(quantity >= 0, "negative quantity: %s", quantity);
        this.quantity = quantity;
        this.priceCents = priceCents;
    }

    public String getSku() {
        return sku;
    }

    public String getName() {
        return name;
    }

    public int getQuantity() {
        return quantity;
    }

    public long getStockValueCents() {
        long value = priceCents * quantity;
        if (value < 0) {
            throw new ArithmeticException("stock value overflows for " + sku);
        }
        return value;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Item)) {
            return false;
        }
        Item that = (Item) other;
        return quantity == that.quantity
                && priceCents == that.priceCents
                && Objects.equal(sku, that.sku)
                && Objects.equal(name, that.name);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(sku, name, quantity, priceCents);
    }

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
                .add("sku", sku)
                .add("name", name)
                .add("quantity", quantity)
                .add("priceCents", priceCents)
                .toString();
    }
}
"""

INVENTORY_REPORT_JAVA = """\
package com.example.inventory;

import com.google.common.base.Charsets;
import com.google.common.base.Joiner;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.Lists;
import com.google.common.io.Files;
import java.io.File;
import java.io.IOException;
import java.util.List;

public class InventoryReport {
    private final List<Item> items;

    public InventoryReport(List<Item> items) {
        this.items = ImmutableList.copyOf(items);
    }

    public String render() {
        List<String> lines = Lists.newArrayList();
        for (Item item : items) {
            lines.add(item.getSku() + ";" + item.getName() + ";" + item.getQuantity());
        }
        return Joiner.on('\\n').join(lines);
    }

    public int countLowStock(int threshold) {
        int count = 0;
        for (Item item : items) {
            if (item.getQuantity() < threshold) {
                count++;
            }
        }
        return count;
    }

    public static List<String> readSkus(File file) throws IOException {
        String content = Files.toString(file, Charsets.UTF_8);
        List<String> skus = Lists.newArrayList();
        Splitter lines = Splitter.on('\\n').trimResults().omitEmptyStrings();
        for (String line : lines.split(content)) {
            if (!line.startsWith("#")) {
                skus.add(line);
            }
        }
        return skus;
    }
}
"""

INVENTORY_SERVICE = ProjectSpec(
    name="inventory-service",
    group_id="com.example",
    pom_style=PomStyle.DIRECT,
    files={
        INVENTORY_ITEM: INVENTORY_ITEM_JAVA,
        INVENTORY_REPORT: INVENTORY_REPORT_JAVA,
    },
    releases=(
        Release(tag="v1.0", guava_version="16.0", date="2016-03-01T10:00:00+00:00"),
        Release(
            tag="v1.1",
            guava_version="16.0",
            date="2016-06-14T10:00:00+00:00",
            edits=migrate(
                INVENTORY_ITEM,
                ('"negative quantity: %s"', '"quantity must not be negative: %s"'),
            ),
        ),
        Release(
            tag="v2.0",
            guava_version="21.0",
            date="2017-02-20T10:00:00+00:00",
            edits=migrate(
                INVENTORY_ITEM, OBJECTS_IMPORT_ADD_MORE_OBJECTS, TO_STRING_HELPER
            )
            + migrate(
                INVENTORY_REPORT,
                (
                    "Files.toString(file, Charsets.UTF_8)",
                    "Files.asCharSource(file, Charsets.UTF_8).read()",
                ),
                # A change without Guava, which a job must not report.
                ("item.getQuantity() < threshold", "item.getQuantity() <= threshold"),
            ),
        ),
        Release(
            tag="v2.1",
            guava_version="23.0-jre",
            date="2017-09-05T10:00:00+00:00",
            edits=migrate(
                INVENTORY_REPORT,
                ("import com.google.common.base.Charsets;\n", ""),
                (
                    "import java.io.IOException;\n",
                    "import java.io.IOException;\n"
                    "import java.nio.charset.StandardCharsets;\n",
                ),
                ("Charsets.UTF_8", "StandardCharsets.UTF_8"),
            ),
        ),
    ),
)


# --- request-timer: ${guava.version} property, unprefixed tags, Stopwatch ---

TIMER = "src/main/java/org/acme/timing/RequestTimer.java"
CACHE = "src/main/java/org/acme/timing/ResponseCache.java"

TIMER_JAVA = """\
package org.acme.timing;

import com.google.common.base.Preconditions;
import com.google.common.base.Stopwatch;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

public class RequestTimer {
    private static final Logger LOG = Logger.getLogger(RequestTimer.class.getName());

    private final String operation;
    private final long warnAfterMillis;

    public RequestTimer(String operation, long warnAfterMillis) {
        this.operation = Preconditions.checkNotNull(operation, "operation");
        Preconditions.checkArgument(warnAfterMillis > 0, "limit: %s", warnAfterMillis);
        this.warnAfterMillis = warnAfterMillis;
    }

    public <T> T time(Callable<T> call) throws Exception {
        Stopwatch stopwatch = new Stopwatch().start();
        try {
            return call.call();
        } finally {
            stopwatch.stop();
            long elapsed = stopwatch.elapsed(TimeUnit.MILLISECONDS);
            if (elapsed > warnAfterMillis) {
                LOG.warning(operation + " took " + elapsed + " ms");
            } else {
                LOG.fine(operation + " took " + elapsed + " ms");
            }
        }
    }

    public long measureBatch(List<Runnable> tasks) {
        Stopwatch watch = new Stopwatch();
        watch.start();
        for (Runnable task : tasks) {
            task.run();
        }
        watch.stop();
        return watch.elapsed(TimeUnit.MICROSECONDS);
    }

    public static String formatMillis(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        long seconds = millis / 1000;
        long rest = millis % 1000;
        return seconds + "." + (rest / 100) + " s";
    }
}
"""

CACHE_JAVA = """\
package org.acme.timing;

import com.google.common.base.Objects;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.CacheStats;
import com.google.common.cache.LoadingCache;
import java.util.concurrent.TimeUnit;

public class ResponseCache {
    public interface Fetcher {
        String fetch(String url) throws Exception;
    }

    private final LoadingCache<String, String> cache;

    public ResponseCache(final Fetcher fetcher, long maxEntries) {
        this.cache = CacheBuilder.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(10, TimeUnit.MINUTES)
                .recordStats()
                .build(new CacheLoader<String, String>() {
                    @Override
                    public String load(String url) throws Exception {
                        return fetcher.fetch(url);
                    }
                });
    }

    public String get(String url) {
        return cache.getUnchecked(url);
    }

    public void invalidateAll(Iterable<String> urls) {
        for (String url : urls) {
            cache.invalidate(url);
        }
        cache.cleanUp();
    }

    @Override
    public String toString() {
        CacheStats stats = cache.stats();
        return Objects.toStringHelper(this)
                .add("size", cache.size())
                .add("hitRate", stats.hitRate())
                .add("evictions", stats.evictionCount())
                .toString();
    }
}
"""

REQUEST_TIMER = ProjectSpec(
    name="request-timer",
    group_id="org.acme",
    pom_style=PomStyle.PROPERTY,
    files={TIMER: TIMER_JAVA, CACHE: CACHE_JAVA},
    releases=(
        Release(tag="1.0", guava_version="16.0", date="2015-11-02T09:30:00+00:00"),
        Release(
            tag="1.1",
            guava_version="16.0",
            date="2016-01-18T09:30:00+00:00",
            edits=migrate(TIMER, ('"." + (rest / 100) + " s"', '"." + rest + " s"')),
        ),
        Release(
            tag="2.0",
            guava_version="21.0",
            date="2017-03-27T09:30:00+00:00",
            edits=migrate(
                TIMER,
                ("new Stopwatch().start()", "Stopwatch.createStarted()"),
                (
                    "new Stopwatch();\n        watch.start();",
                    "Stopwatch.createStarted();",
                ),
            )
            + migrate(CACHE, OBJECTS_IMPORT_TO_MORE_OBJECTS, TO_STRING_HELPER),
        ),
        Release(
            tag="2.1",
            guava_version="23.0-jre",
            date="2017-10-09T09:30:00+00:00",
            edits=migrate(
                CACHE,
                (
                    ".expireAfterWrite(10, TimeUnit.MINUTES)",
                    ".expireAfterWrite(5, TimeUnit.MINUTES)",
                ),
            ),
        ),
    ),
)


# --- order-pipeline: parent pom with a module, Futures.transform ---

PIPELINE = "pipeline-core/src/main/java/io/github/shop/pipeline/OrderPipeline.java"

PIPELINE_JAVA = """\
package io.github.shop.pipeline;

import com.google.common.base.Function;
import com.google.common.base.Objects;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

public class OrderPipeline {
    private static final String DEFAULT_CURRENCY = "EUR";

    private final ListeningExecutorService executor;
    private final PriceService prices;

    public OrderPipeline(PriceService prices, int threads) {
        this.prices = prices;
        this.executor =
                MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(threads));
    }

    public ListenableFuture<Invoice> invoiceFor(final Order order) {
        ListenableFuture<Quote> quote = prices.quote(order);
        return Futures.transform(quote, new Function<Quote, Invoice>() {
            @Override
            public Invoice apply(Quote input) {
                String currency =
                        Objects.firstNonNull(input.getCurrency(), DEFAULT_CURRENCY);
                return new Invoice(order.getId(), input.getTotalCents(), currency);
            }
        });
    }

    public ListenableFuture<Long> totalCents(List<Order> orders) {
        List<ListenableFuture<Quote>> quotes = new ArrayList<Quote>();
        for (Order order : orders) {
            quotes.add(prices.quote(order));
        }
        ListenableFuture<List<Quote>> all = Futures.allAsList(quotes);
        return Futures.transform(all, new Function<List<Quote>, Long>() {
            @Override
            public Long apply(List<Quote> input) {
                long total = 0;
                for (Quote quote : input) {
                    total += quote.getTotalCents();
                }
                return total;
            }
        });
    }

    public ListenableFuture<String> describe(final Order order) {
        return executor.submit(new Callable<String>() {
            @Override
            public String call() {
                return order.getId() + " with " + order.getLines().size() + " lines";
            }
        });
    }

    public void shutdown() {
        executor.shutdown();
    }
}
"""

ORDER_PIPELINE = ProjectSpec(
    name="order-pipeline",
    group_id="io.github.shop",
    pom_style=PomStyle.PARENT,
    module="pipeline-core",
    files={PIPELINE: PIPELINE_JAVA},
    releases=(
        Release(tag="v1.0", guava_version="16.0", date="2016-05-10T14:00:00+00:00"),
        Release(
            tag="v2.0",
            guava_version="21.0",
            date="2017-04-03T14:00:00+00:00",
            edits=migrate(
                PIPELINE,
                OBJECTS_IMPORT_TO_MORE_OBJECTS,
                FIRST_NON_NULL,
                add_direct_executor("currency);"),
                add_direct_executor("return total;"),
            ),
        ),
        Release(
            tag="v2.1",
            guava_version="23.0-jre",
            date="2017-11-13T14:00:00+00:00",
            edits=migrate(
                PIPELINE,
                ("new ArrayList<Quote>()", "new ArrayList<ListenableFuture<Quote>>()"),
            ),
        ),
    ),
)


# --- config-loader: property, Files.toString, firstNonNull, emptyIterator ---

LOADER = "src/main/java/net/config/loader/ConfigLoader.java"
KEYS = "src/main/java/net/config/loader/ConfigKeys.java"

LOADER_JAVA = """\
package net.config.loader;

import com.google.common.base.Charsets;
import com.google.common.base.Objects;
import com.google.common.base.Splitter;
import com.google.common.collect.Maps;
import com.google.common.io.Files;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

public class ConfigLoader {
    private final Map<String, String> values;

    public ConfigLoader(Map<String, String> values) {
        this.values = values;
    }

    public static ConfigLoader load(File file) throws IOException {
        String text = Files.toString(file, Charsets.UTF_8);
        Map<String, String> values = Maps.newLinkedHashMap();
        for (String line : Splitter.on('\\n').omitEmptyStrings().split(text)) {
            line = line.trim();
            if (line.startsWith("#")) {
                continue;
            }
            List<String> parts = Splitter.on('=').limit(2).splitToList(line);
            if (parts.size() == 2) {
                values.put(parts.get(0), parts.get(1));
            }
        }
        return new ConfigLoader(values);
    }

    public int getInt(String key, int defaultValue) {
        String raw = Objects.firstNonNull(values.get(key), "" + defaultValue);
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid integer " + key + "=" + raw, e);
        }
    }

    public boolean getBoolean(String key) {
        String raw = values.get(key);
        if (raw == null) {
            return false;
        }
        String normalized = raw.trim().toLowerCase();
        return normalized.equals("true")
                || normalized.equals("yes")
                || normalized.equals("1");
    }
}
"""

KEYS_JAVA = """\
package net.config.loader;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.collect.Iterators;
import java.util.Iterator;
import java.util.Set;

public class ConfigKeys implements Iterable<String> {
    private final Set<String> keys;

    public ConfigKeys(Set<String> keys) {
        this.keys = keys == null ? null : ImmutableSortedSet.copyOf(keys);
    }

    @Override
    public Iterator<String> iterator() {
        if (keys == null || keys.isEmpty()) {
            return Iterators.emptyIterator();
        }
        return Iterators.unmodifiableIterator(keys.iterator());
    }

    public int countWithPrefix(String prefix) {
        int count = 0;
        for (String key : this) {
            if (key.startsWith(prefix)) {
                count++;
            }
        }
        return count;
    }
}
"""

CONFIG_LOADER = ProjectSpec(
    name="config-loader",
    group_id="net.config",
    pom_style=PomStyle.PROPERTY,
    files={LOADER: LOADER_JAVA, KEYS: KEYS_JAVA},
    releases=(
        Release(tag="v1.0", guava_version="16.0", date="2016-02-08T08:15:00+00:00"),
        Release(
            tag="v1.1",
            guava_version="16.0",
            date="2016-08-22T08:15:00+00:00",
            edits=migrate(
                LOADER, ('normalized.equals("1")', 'normalized.equals("on")')
            ),
        ),
        Release(
            tag="v2.0",
            guava_version="21.0",
            date="2017-05-15T08:15:00+00:00",
            edits=migrate(
                LOADER,
                OBJECTS_IMPORT_TO_MORE_OBJECTS,
                FIRST_NON_NULL,
                (
                    "Files.toString(file, Charsets.UTF_8)",
                    "Files.asCharSource(file, Charsets.UTF_8).read()",
                ),
            )
            + migrate(
                KEYS,
                (
                    "import java.util.Iterator;\n",
                    "import java.util.Collections;\nimport java.util.Iterator;\n",
                ),
                EMPTY_ITERATOR,
            ),
        ),
        Release(
            tag="v2.1",
            guava_version="23.0-jre",
            date="2017-12-04T08:15:00+00:00",
            edits=migrate(
                KEYS,
                (
                    "key.startsWith(prefix)",
                    "key.regionMatches(0, prefix, 0, prefix.length())",
                ),
            ),
        ),
    ),
)


# --- shipping-tracker: direct version, a Guava 19 release, mixed migrations ---

SHIPMENT = "src/main/java/com/parcel/tracker/Shipment.java"
TRACKING = "src/main/java/com/parcel/tracker/TrackingClient.java"

SHIPMENT_JAVA = """\
package com.parcel.tracker;

import com.google.common.base.Objects;
import com.google.common.collect.ImmutableList;
import java.util.List;

public class Shipment {
    private final String trackingNumber;
    private final String carrier;
    private final String destination;
    private final List<String> events;

    public Shipment(String trackingNumber, String carrier, String destination,
            List<String> events) {
        this.trackingNumber = trackingNumber;
        this.carrier = Objects.firstNonNull(carrier, "unknown");
        this.destination = destination;
        this.events = ImmutableList.copyOf(events);
    }

    public boolean isDelivered() {
        if (events.isEmpty()) {
            return false;
        }
        String last = events.get(events.size() - 1);
        return last.startsWith("DELIVERED");
    }

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
                .add("trackingNumber", trackingNumber)
                .add("carrier", carrier)
                .add("destination", destination)
                .add("events", events.size())
                .omitNullValues()
                .toString();
    }
}
"""

TRACKING_JAVA = """\
package com.parcel.tracker;

import com.google.common.base.Function;
import com.google.common.base.Stopwatch;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

public class TrackingClient {
    private final CarrierApi api;
    private long slowestLookupMillis;

    public TrackingClient(CarrierApi api) {
        this.api = api;
    }

    public ListenableFuture<Shipment> track(final String trackingNumber) {
        ListenableFuture<List<String>> events = api.fetchEvents(trackingNumber);
        return Futures.transform(events, new Function<List<String>, Shipment>() {
            @Override
            public Shipment apply(List<String> input) {
                String destination = api.destinationOf(trackingNumber);
                return new Shipment(trackingNumber, api.name(), destination, input);
            }
        });
    }

    public List<String> lookupBlocking(String trackingNumber) throws Exception {
        Stopwatch stopwatch = new Stopwatch().start();
        List<String> events = api.fetchEvents(trackingNumber).get(30, TimeUnit.SECONDS);
        long millis = stopwatch.elapsed(TimeUnit.MILLISECONDS);
        if (millis > slowestLookupMillis) {
            slowestLookupMillis = millis;
        }
        return events;
    }

    public long getSlowestLookupMillis() {
        return slowestLookupMillis;
    }
}
"""

SHIPPING_TRACKER = ProjectSpec(
    name="shipping-tracker",
    group_id="com.parcel",
    pom_style=PomStyle.DIRECT,
    files={SHIPMENT: SHIPMENT_JAVA, TRACKING: TRACKING_JAVA},
    releases=(
        Release(tag="v1.0", guava_version="16.0", date="2016-04-11T16:45:00+00:00"),
        Release(
            tag="v1.1",
            guava_version="19.0",
            date="2016-09-26T16:45:00+00:00",
            edits=migrate(
                SHIPMENT,
                ('last.startsWith("DELIVERED")', 'last.startsWith("DELIVERED:")'),
            ),
        ),
        Release(
            tag="v2.0",
            guava_version="21.0",
            date="2017-06-19T16:45:00+00:00",
            edits=migrate(
                SHIPMENT,
                OBJECTS_IMPORT_TO_MORE_OBJECTS,
                FIRST_NON_NULL,
                TO_STRING_HELPER,
            )
            + migrate(
                TRACKING,
                (
                    "import com.google.common.util.concurrent.ListenableFuture;\n",
                    "import com.google.common.util.concurrent.ListenableFuture;\n"
                    "import com.google.common.util.concurrent.MoreExecutors;\n",
                ),
                ("new Stopwatch().start()", "Stopwatch.createStarted()"),
                add_direct_executor("input);"),
            ),
        ),
        Release(
            tag="v2.1",
            guava_version="23.0-jre",
            date="2018-01-22T16:45:00+00:00",
            edits=migrate(
                TRACKING, ("get(30, TimeUnit.SECONDS)", "get(10, TimeUnit.SECONDS)")
            ),
        ),
    ),
)


# --- user-app: the project a demo job migrates, on Guava 16 ---

CUSTOMER = "src/main/java/com/acme/shop/Customer.java"
CHECKOUT = "src/main/java/com/acme/shop/CheckoutService.java"
SETTINGS = "src/main/java/com/acme/shop/SettingsFile.java"
HISTORY = "src/main/java/com/acme/shop/OrderHistory.java"

CUSTOMER_JAVA = """\
package com.acme.shop;

import com.google.common.base.Objects;
import com.google.common.base.Preconditions;

public class Customer {
    private final String id;
    private final String email;
    private final int orderCount;
    private final long lifetimeCents;

    public Customer(String id, String email, int orderCount, long lifetimeCents) {
        this.id = Preconditions.checkNotNull(id, "id");
        this.email = Preconditions.checkNotNull(email, "email");
        this.orderCount = orderCount;
        this.lifetimeCents = lifetimeCents;
    }

    public String getId() {
        return id;
    }

    @Override
    public boolean equals(Object obj) {
        if (obj == this) {
            return true;
        }
        if (!(obj instanceof Customer)) {
            return false;
        }
        Customer other = (Customer) obj;
        return orderCount == other.orderCount
                && lifetimeCents == other.lifetimeCents
                && Objects.equal(id, other.id)
                && Objects.equal(email, other.email);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id, email, orderCount, lifetimeCents);
    }

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
                .add("id", id)
                .add("email", email)
                .add("orderCount", orderCount)
                .add("lifetimeCents", lifetimeCents)
                .toString();
    }
}
"""

CHECKOUT_JAVA = """\
package com.acme.shop;

import com.google.common.base.Function;
import com.google.common.base.Objects;
import com.google.common.base.Stopwatch;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

public class CheckoutService {
    private static final Logger LOGGER = Logger.getLogger("shop.checkout");
    private static final String HOME_CURRENCY = "USD";

    private final PaymentGateway gateway;
    private final long slowThresholdMillis;

    public CheckoutService(PaymentGateway gateway, long slowThresholdMillis) {
        this.gateway = gateway;
        this.slowThresholdMillis = slowThresholdMillis;
    }

    public <R> R timed(String step, Callable<R> action) throws Exception {
        Stopwatch timer = new Stopwatch().start();
        try {
            return action.call();
        } finally {
            timer.stop();
            long millis = timer.elapsed(TimeUnit.MILLISECONDS);
            if (millis > slowThresholdMillis) {
                LOGGER.warning(step + " was slow: " + millis + " ms");
            } else {
                LOGGER.fine(step + " took " + millis + " ms");
            }
        }
    }

    public ListenableFuture<Receipt> checkout(final Cart cart) {
        ListenableFuture<Authorization> authorization = gateway.authorize(cart);
        return Futures.transform(authorization, new Function<Authorization, Receipt>() {
            @Override
            public Receipt apply(Authorization auth) {
                String currency =
                        Objects.firstNonNull(auth.getCurrency(), HOME_CURRENCY);
                return new Receipt(cart.getId(), auth.getAmountCents(), currency);
            }
        });
    }
}
"""

SETTINGS_JAVA = """\
package com.acme.shop;

import com.google.common.base.Charsets;
import com.google.common.base.Objects;
import com.google.common.base.Splitter;
import com.google.common.collect.Iterators;
import com.google.common.collect.Maps;
import com.google.common.io.Files;
import java.io.File;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

public class SettingsFile implements Iterable<String> {
    private final Map<String, String> entries;

    private SettingsFile(Map<String, String> entries) {
        this.entries = entries;
    }

    public static SettingsFile read(File path) throws IOException {
        String content = Files.toString(path, Charsets.UTF_8);
        Map<String, String> entries = Maps.newLinkedHashMap();
        Iterable<String> lines = Splitter.on('\\n').trimResults().split(content);
        for (String line : lines) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            List<String> pair = Splitter.on('=').trimResults().splitToList(line);
            if (pair.size() == 2) {
                entries.put(pair.get(0), pair.get(1));
            }
        }
        return new SettingsFile(entries);
    }

    public int intValue(String name, int fallback) {
        String text = Objects.firstNonNull(entries.get(name), String.valueOf(fallback));
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + name + ": " + text, e);
        }
    }

    @Override
    public Iterator<String> iterator() {
        if (entries == null || entries.isEmpty()) {
            return Iterators.emptyIterator();
        }
        return Iterators.unmodifiableIterator(entries.keySet().iterator());
    }
}
"""

HISTORY_JAVA = """\
package com.acme.shop;

import com.google.common.base.Joiner;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.Lists;
import java.util.List;

public class OrderHistory {
    private final List<Order> orders;

    public OrderHistory(List<Order> orders) {
        this.orders = ImmutableList.copyOf(orders);
    }

    public String summary() {
        List<String> rows = Lists.newArrayList();
        for (Order order : orders) {
            String row = order.getId() + ";" + order.getCustomerId();
            rows.add(row + ";" + order.getLineCount());
        }
        return Joiner.on('\\n').join(rows);
    }

    public int countSmallOrders(int maxQuantity) {
        int small = 0;
        for (Order order : orders) {
            if (order.getQuantity() < maxQuantity) {
                small++;
            }
        }
        return small;
    }
}
"""

USER_APP = ProjectSpec(
    name="user-app",
    group_id="com.acme",
    pom_style=PomStyle.DIRECT,
    files={
        CUSTOMER: CUSTOMER_JAVA,
        CHECKOUT: CHECKOUT_JAVA,
        SETTINGS: SETTINGS_JAVA,
        HISTORY: HISTORY_JAVA,
    },
    releases=(
        Release(tag="v0.9", guava_version="16.0", date="2018-03-05T12:00:00+00:00"),
    ),
)

CORPUS_PROJECTS = (
    INVENTORY_SERVICE,
    REQUEST_TIMER,
    ORDER_PIPELINE,
    CONFIG_LOADER,
    SHIPPING_TRACKER,
)
