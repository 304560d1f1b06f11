package viz

import (
	"os"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// lang returns the language of the words viz shows, "zh" or "en": "zh"
// when the environment variable LESSON_LANG is "zh" or starts with "zh-"
// or "zh_" (any case: "zh-CN", "zh_CN.UTF-8"), "en" otherwise (unset,
// "en", or a language viz has no words for).
//
// It is the one place viz reads the environment, as the notebook's edge:
// viz's words only matter in a notebook, and a notebook's code cells are
// the same in every edition, so the language comes from the notebook's
// kernel (gonb-lesson-go-zh sets LESSON_LANG=zh; see kernels/). Packages
// lesson and fashion never read it; fashion takes it as a parameter
// ([fashion.ClassNamesIn]).
func lang() string {
	l := strings.ToLower(os.Getenv("LESSON_LANG"))
	if l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		return "zh"
	}
	return "en"
}

// words are the user-facing words viz shows, in one language. Names and
// numbers a student types or compares (layer names, shapes, the arithmetic
// of the summary) stay as they are in every language.
type words struct {
	classNames []string // Fashion-MNIST's classes, by label: fashion.ClassNamesIn
	// notYet starts Check's line for an exercise not done: "✗ " (the mark
	// the notebook tests count), the words, then what and the hint.
	notYet     string
	corner     string // the confusion matrix's top-left cell: rows true, columns predicted
	noMistakes string // MisclassifiedGallery with no mistake to show
	// The training chart: panel titles, x axis, legend and the empty chart.
	loss, accuracy, epoch, train, test, waiting string
	// summaryHeader is the summary table's column headers; nil keeps the
	// header lesson.Table.Cells gives (Keras's, in English).
	summaryHeader []string
	totalParams   string // the summary's last row
	allTrainable  string // what the last row says of the parameters
}

// wordsIn returns viz's words in lang, "zh" or "en" (any other value).
func wordsIn(lang string) words {
	if lang == "zh" {
		return words{
			classNames: fashion.ClassNamesIn("zh"),
			notYet:     "✗ 还没有：",
			corner:     "真实 ↓ 预测 →",
			noMistakes: "没有分错的图片",
			loss:       "损失 (loss)",
			accuracy:   "准确率 (accuracy)",
			epoch:      "轮次 (epoch)",
			train:      "训练集",
			test:       "测试集",
			waiting:    "等待第一轮训练结束…",
			summaryHeader: []string{"层 (类型)", "输出形状", "参数个数",
				"计算方法"},
			totalParams:  "参数总数",
			allTrainable: "全部可训练；不可训练的参数：0",
		}
	}
	return words{
		classNames:   fashion.ClassNames(),
		notYet:       "✗ not yet: ",
		corner:       "true ↓ predicted →",
		noMistakes:   "no misclassified images",
		loss:         "loss",
		accuracy:     "accuracy",
		epoch:        "epoch",
		train:        "train",
		test:         "test",
		waiting:      "waiting for the first epoch…",
		totalParams:  "Total params",
		allTrainable: "all trainable; non-trainable: 0",
	}
}
