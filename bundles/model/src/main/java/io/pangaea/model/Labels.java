package io.pangaea.model;

import java.util.List;

public record Labels(List<Label> labels) {}
